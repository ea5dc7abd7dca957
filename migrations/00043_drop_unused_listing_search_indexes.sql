-- The fallback search matches a text it builds per row (search_text with the
-- place, categories and offers), never search_text alone, so neither index
-- served a query. Each still took a few hundred trigram or lexeme entries
-- per written listing into its pending list, flushed later (an import's
-- own CPU did not change within noise: bench/RESULTS.md).

-- +goose Up
DROP INDEX listings_search_trgm;
DROP INDEX listings_search_fts;

-- +goose Down
CREATE INDEX listings_search_trgm ON listings USING gin (search_text gin_trgm_ops);
CREATE INDEX listings_search_fts ON listings USING gin (to_tsvector('simple', search_text));
