-- hand-written (issue 15): the Idempotency-Key of a route whose effects are all in its transaction is claimed by the
-- transaction's last statement, together with the stored answer, and sent with its COMMIT
-- (src/db/repositories/idempotency.ts, claimAtCommit). When another request holds the key, the statement must fail so
-- that the COMMIT sent with it rolls everything back: it passes the number of rows it inserted or took over here, and
-- this raises SQLSTATE IK001 for none.
CREATE FUNCTION "idempotency_key_claimed"("p_claimed" bigint) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  IF p_claimed = 0 THEN
    RAISE EXCEPTION 'the Idempotency-Key is held by another request' USING ERRCODE = 'IK001';
  END IF;
  RETURN p_claimed;
END
$$;
