-- Each served answer's confidence (src/answer/confidence.ts): the estimated probability
-- that it is correct and supported, or, on an abstention, that estimate for the answer
-- withheld. Null for answers logged before this column existed.
ALTER TABLE answers ADD COLUMN confidence real;
