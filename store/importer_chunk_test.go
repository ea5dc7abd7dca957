package store_test

// Tests of the chunked writes (store/importer_batch.go).

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"katalogpes/store"
)

func BenchmarkImportRows(b *testing.B) {
	e := newImportEnv(b, "slaskie")
	// Large enough that the per-file set-up (the register read once) does
	// not hide the per-row cost.
	const perFile = 2000
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		file := csvFile(b, goodRows(perFile, 100000000+i*1000000), plColumns, ';', false)
		b.StartTimer()
		res, err := e.db.Import(e.admin, bytes.NewReader(file), store.ImportCSV, nil)
		if err != nil || res.Imported != perFile {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*perFile), "µs/row")
}

// A register larger than a chunk, with updates, repeats across the chunk
// boundary, two rows updating one listing and bad rows, gives what writing
// each row in its own transaction gives, row by row and in the database.
func TestImportInChunksGivesWhatRowByRowGives(t *testing.T) {
	files := func() (first, second []regRow) {
		first = goodRows(700, 640000000)
		first[3]["gmina_teryt"] = "1465011" // another voivodeship
		second = goodRows(1300, 640000000)  // the first 700 again, then 600 new
		second[1]["opis"] = "Opis zmieniony w drugim pliku."
		second[2]["kategorie"] = "zielen"
		// Row 30 has a KRS only, so it matches the listing of row 33 (NIP
		// and KRS) through its KRS; row 33 then updates the same listing.
		second[30]["krs"], second[30]["email"] = second[33]["krs"], "krs@example.org"
		second[33]["krs"], second[33]["telefon"] = "", "601 000 033"
		second[640]["nip"] = second[12]["nip"] // a repeat across the boundary
		second[900]["nazwa"] = ""
		second[1299]["kategorie"] = "nieznana"
		return first, second
	}
	type outcome struct {
		results  []string
		listings string
		events   string
	}
	run := func(t *testing.T) outcome {
		e := newImportEnv(t, "slaskie")
		first, second := files()
		var out outcome
		for _, rows := range [][]regRow{first, second} {
			res := e.run(t, csvFile(t, rows, plColumns, ';', false), store.ImportCSV)
			out.results = append(out.results, fmt.Sprintf("%d/%d/%d %v", res.Imported, res.Updated, res.Skipped, errorTriples(res.Errors)))
		}
		if err := e.raw.QueryRow(`SELECT string_agg(concat_ws('|', status, data::text), E'\n' ORDER BY coalesce(nip, krs)) FROM listings`).Scan(&out.listings); err != nil {
			t.Fatal(err)
		}
		if err := e.raw.QueryRow(`
			SELECT string_agg(concat_ws('|', coalesce(l.nip, l.krs), ev.action, ev.from_status, ev.to_status, array_to_string(ev.fields, ',')), E'\n' ORDER BY ev.id)
			       || (SELECT count(*) FROM search_outbox)::text
			FROM listing_events ev JOIN listings l ON l.id = ev.listing_id`).Scan(&out.events); err != nil {
			t.Fatal(err)
		}
		return out
	}
	chunked := run(t)
	restore := store.ImportRowByRow()
	defer restore()
	rowByRow := run(t)
	if !slices.Equal(chunked.results, rowByRow.results) {
		t.Fatalf("results differ:\nin chunks:   %v\nrow by row: %v", chunked.results, rowByRow.results)
	}
	if chunked.listings != rowByRow.listings {
		t.Fatal("the listings differ")
	}
	if chunked.events != rowByRow.events {
		t.Fatalf("the events differ:\nin chunks:\n%.2000s\nrow by row:\n%.2000s", chunked.events, rowByRow.events)
	}
	// Row 3 now valid, 600 new rows less 2 bad; rows 1, 2, 30 and 33 update.
	if !strings.Contains(chunked.results[1], "642 nip nip.duplicate") || !strings.HasPrefix(chunked.results[1], "599/4/697 ") {
		t.Errorf("second import: %s", chunked.results[1])
	}
}
