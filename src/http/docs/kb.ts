export const KB_VISIBILITY = `Who sees what: agents and admins every article (any status) with feedback and link counts (\`stats\`);
customers published articles for all plans or for their organization's plan (while its subscription is current);
anonymous visitors (no token) published articles for all plans. An article the caller may not see is 404.`
