package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jmoiron/sqlx"

	"katalogpes/store/ident"
	"katalogpes/store/registry"
)

// ImportRowCheck is what the registries said about one row of an import:
// which confirmed it, the flags (struck off…), the fields they
// contradict, and the registries that could not answer.
type ImportRowCheck struct {
	Row         int      `json:"row"`
	Name        string   `json:"name"`
	Found       []string `json:"found"`
	Flags       []string `json:"flags"`
	Mismatches  []string `json:"mismatches"`
	Unavailable []string `json:"unavailable"`
	NotFound    bool     `json:"not_found"`
}

// ImportCheck is a run of registry checks over an import's rows.
type ImportCheck struct {
	JobID      string           `db:"job_id" json:"job_id"`
	Status     string           `db:"status" json:"status"`
	RowsTotal  int              `db:"rows_total" json:"rows_total"`
	RowsDone   int              `db:"rows_done" json:"rows_done"`
	Raw        []byte           `db:"results" json:"-"`
	StartedAt  time.Time        `db:"started_at" json:"started_at"`
	FinishedAt *time.Time       `db:"finished_at" json:"finished_at"`
	Results    []ImportRowCheck `db:"-" json:"results"`
}

// importIdentRow is a row's identifiers and name, as the file gives them.
type importIdentRow struct {
	row                  int
	name, nip, krs, regn string
}

// StartImportCheck records a registry check of an import job's rows (an
// admin's, of a job of theirs); RunImportCheck does it. A second start
// while one runs is a conflict.
func (db *DB) StartImportCheck(ctx context.Context, jobID string) error {
	t, _, err := adminPrincipal(ctx)
	if err != nil {
		return err
	}
	if _, err := db.FindImportJob(ctx, jobID); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO import_registry_checks (job_id, tenant_id) VALUES ($1, $2)
			ON CONFLICT (job_id) DO UPDATE SET status = 'running', rows_total = 0, rows_done = 0, results = '[]',
			  started_at = now(), finished_at = NULL
			WHERE import_registry_checks.status <> 'running'`, jobID, t.ID)
		if err != nil {
			return fmt.Errorf("start registry check of import %s: %w", jobID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &Error{Code: EConflict, Key: "registry.import_running"}
		}
		return nil
	})
}

// RunImportCheck reads the job's file again and asks the registries about
// every row with a NIP, KRS or REGON (not the VAT list: its daily limit),
// saving progress every ten rows. The context must outlive the request.
func (r *Registries) RunImportCheck(ctx context.Context, jobID string) error {
	rows, err := r.importIdentRows(ctx, jobID)
	if err == nil {
		var results []ImportRowCheck
		for i, row := range rows {
			results = append(results, r.checkImportRow(ctx, row))
			if (i+1)%10 == 0 || i+1 == len(rows) {
				if err = r.db.saveImportCheck(ctx, jobID, "running", len(rows), results); err != nil {
					break
				}
			}
		}
		if err == nil {
			return r.db.saveImportCheck(ctx, jobID, "done", len(rows), results)
		}
	}
	return errors.Join(err, r.db.saveImportCheck(context.WithoutCancel(ctx), jobID, "failed", 0, nil))
}

func (r *Registries) importIdentRows(ctx context.Context, jobID string) ([]importIdentRow, error) {
	job, err := r.db.FindImportJob(ctx, jobID)
	if err != nil {
		return nil, err
	}
	up, content, err := r.db.importUpload(ctx, job.UploadID)
	if err != nil {
		return nil, err
	}
	src, err := openImportSource(bytes.NewReader(content), up.Format)
	if err != nil {
		return nil, err
	}
	_, cols, rowNo, err := readImportHeader(src)
	if err != nil {
		return nil, err
	}
	var out []importIdentRow
	for {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		rowNo++
		if err != nil {
			continue // a malformed line: the import's own report names it
		}
		row := importIdentRow{row: rowNo}
		for i, f := range cols {
			if i >= len(rec) {
				break
			}
			switch f {
			case "name":
				row.name = rec[i]
			case "nip":
				row.nip, _ = ident.NormalizeNIP(rec[i])
			case "krs":
				row.krs, _ = ident.NormalizeKRS(rec[i])
			case "regon":
				row.regn, _ = ident.NormalizeREGON(rec[i])
			}
		}
		if row.nip != "" || row.krs != "" || row.regn != "" {
			out = append(out, row)
		}
	}
}

func (r *Registries) checkImportRow(ctx context.Context, row importIdentRow) ImportRowCheck {
	c := ImportRowCheck{Row: row.row, Name: row.name, Found: []string{}, Flags: []string{}, Mismatches: []string{}, Unavailable: []string{}}
	a, err := r.Look(ctx, RegistryQuery{NIP: row.nip, KRS: row.krs, REGON: row.regn, NoVAT: true})
	if err != nil {
		c.Unavailable = append(c.Unavailable, registry.KRS, registry.REGON)
		return c
	}
	facts := map[string]registry.Entity{}
	answered := false
	for _, s := range a.Sources {
		switch {
		case s.Found && s.Data != nil:
			facts[s.Name] = *s.Data
			c.Found = append(c.Found, s.Name)
			answered = true
		case s.OK:
			answered = true
		case s.Error != "off":
			c.Unavailable = append(c.Unavailable, s.Name)
		}
	}
	c.NotFound = answered && len(c.Found) == 0
	if f := inactivity(facts); f != "" {
		c.Flags = append(c.Flags, f)
	}
	c.Mismatches = compare(checked{Name: row.name, NIP: row.nip}, facts, a.Prefill)
	return c
}

func (db *DB) saveImportCheck(ctx context.Context, jobID, status string, total int, results []ImportRowCheck) error {
	if results == nil {
		results = []ImportRowCheck{}
	}
	raw, err := json.Marshal(results)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE import_registry_checks SET status = $2, rows_total = $3, rows_done = $4, results = $5::jsonb,
			finished_at = CASE WHEN $2 = 'running' THEN NULL ELSE now() END WHERE job_id = $1`, jobID, status, total, len(results), string(raw))
		if err != nil {
			return fmt.Errorf("save registry check of import %s: %w", jobID, err)
		}
		return nil
	})
}

// FindImportCheck reads the registry check of an import job.
func (db *DB) FindImportCheck(ctx context.Context, jobID string) (*ImportCheck, error) {
	t, _, err := adminPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	var c ImportCheck
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &c, `SELECT job_id, status, rows_total, rows_done, results, started_at, finished_at
			FROM import_registry_checks WHERE tenant_id = $1 AND job_id::text = $2`, t.ID, jobID)
	})
	if err != nil {
		return nil, notFound(err, "registry check of import "+jobID)
	}
	if err := json.Unmarshal(c.Raw, &c.Results); err != nil {
		return nil, fmt.Errorf("decode registry check of import %s: %w", jobID, err)
	}
	return &c, nil
}
