export const KB_VISIBILITY = `Who sees what: agents and admins every article (any status) with feedback and link counts (\`stats\`);
customers published articles for all plans or for their organization's plan (while its subscription is current);
anonymous visitors (no token) published articles for all plans. An article the caller may not see is 404.`

export const SEARCH_KB_ARTICLES_DESCRIPTION = `PostgreSQL full text over title, tags, summary and body (English stemming; web-search syntax: words,
"quoted phrases", \`or\`, \`-excluded\`). Ranked (title and tags weigh most, then summary, then body), with a
highlighted snippet, filtered by what the caller may see (as for the article list). Served by a GIN index.`

export const SUGGEST_KB_ARTICLES_DESCRIPTION = `The best published articles for a ticket's subject and description (any word may match; the
subject weighs more), for the portal to show before the customer submits. Only articles the caller may see; staff get
what a customer of no particular plan would. Record the ones shown as \`suggestedArticleIds\` on ticket create.`
