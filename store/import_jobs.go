package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"katalogpes/store/sheet"
	"katalogpes/tenants"
)

const (
	// ImportUploadTTL is how long an uploaded file waits for its import.
	ImportUploadTTL = time.Hour
	// MaxImportUpload is the largest file the import page accepts.
	MaxImportUpload = 32 << 20
	// importJobStalled is how long a running job may go unheard (progress
	// comes every 1,000 rows) before it counts as interrupted: its node
	// stopped.
	importJobStalled = 10 * time.Minute
	// importPreviewRows is how many stored rows a job's result shows.
	importPreviewRows = 10
)

// Import job statuses.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// ImportUpload is a file kept between a dry run and its import.
type ImportUpload struct {
	ID        string    `db:"id"`
	Filename  string    `db:"filename"`
	Format    string    `db:"format"`
	ExpiresAt time.Time `db:"expires_at"`
}

// ImportJob is one run over an upload, a dry run or the import proper;
// Result is there once Status is JobDone.
type ImportJob struct {
	ID         string     `db:"id"`
	UploadID   string     `db:"upload_id"`
	Filename   string     `db:"filename"`
	DryRun     bool       `db:"dry_run"`
	Status     string     `db:"status"`
	RowsRead   int        `db:"rows_read"`
	Error      string     `db:"error"`
	CreatedAt  time.Time  `db:"created_at"`
	UpdatedAt  time.Time  `db:"updated_at"`
	FinishedAt *time.Time `db:"finished_at"`
	Raw        []byte     `db:"result"`
	Result     *ImportResult
}

// jobResult is an ImportResult as a job keeps it: with the message keys
// the API's JSON leaves out, to translate when shown.
type jobResult struct {
	Imported int               `json:"imported"`
	Updated  int               `json:"updated"`
	Skipped  int               `json:"skipped"`
	Errors   []jobError        `json:"errors"`
	Columns  map[string]string `json:"columns"`
	Preview  []ImportPreview   `json:"preview"`
}

type jobError struct {
	Row    int            `json:"row"`
	Field  string         `json:"field"`
	Key    string         `json:"key"`
	Params map[string]any `json:"params,omitempty"`
}

// adminPrincipal is the context's tenant and admin, or why not.
func adminPrincipal(ctx context.Context) (*tenants.Tenant, tenants.Principal, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, tenants.Principal{}, ErrNoScope
	}
	p := tenants.PrincipalFrom(ctx)
	if !p.Can(tenants.PermAdmin) || p.AccountID == "" {
		return nil, p, Errorf(EForbidden, "forbidden")
	}
	return t, p, nil
}

// CreateImportUpload keeps a file for an hour for the admin who sent it,
// and forgets the tenant's expired ones.
func (db *DB) CreateImportUpload(ctx context.Context, filename, format string, content []byte) (*ImportUpload, error) {
	t, p, err := adminPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	if format != ImportCSV && format != ImportXLSX {
		return nil, &Error{Code: EInvalid, Key: "import.format", Fields: []FieldError{{Field: "file", Key: "import.format"}}}
	}
	var u ImportUpload
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM import_uploads WHERE tenant_id = $1 AND expires_at < now()`, t.ID); err != nil {
			return fmt.Errorf("forget expired uploads: %w", err)
		}
		return tx.GetContext(ctx, &u, `
			INSERT INTO import_uploads (tenant_id, account_id, filename, format, content, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, filename, format, expires_at`,
			t.ID, p.AccountID, filename, format, content, db.now().Add(ImportUploadTTL))
	})
	if err != nil {
		return nil, fmt.Errorf("keep upload %q: %w", filename, err)
	}
	return &u, nil
}

// importUpload reads an upload of the context's admin that has not
// expired; another admin's is not found.
func (db *DB) importUpload(ctx context.Context, id string) (*ImportUpload, []byte, error) {
	t, p, err := adminPrincipal(ctx)
	if err != nil {
		return nil, nil, err
	}
	var row struct {
		ImportUpload
		Content []byte `db:"content"`
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &row, `
			SELECT id, filename, format, expires_at, content FROM import_uploads
			WHERE tenant_id = $1 AND account_id = $2 AND id::text = $3 AND expires_at > $4`,
			t.ID, p.AccountID, id, db.now())
	})
	if err != nil {
		return nil, nil, notFound(err, "read upload "+id)
	}
	return &row.ImportUpload, row.Content, nil
}

// StartImportJob records a run over an upload, to be done by RunImportJob.
func (db *DB) StartImportJob(ctx context.Context, uploadID string, dryRun bool) (*ImportJob, error) {
	t, p, err := adminPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	if _, _, err := db.importUpload(ctx, uploadID); err != nil {
		return nil, err
	}
	var id string
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &id, `
			INSERT INTO import_jobs (tenant_id, account_id, upload_id, dry_run) VALUES ($1, $2, $3, $4) RETURNING id`,
			t.ID, p.AccountID, uploadID, dryRun)
	})
	if err != nil {
		return nil, fmt.Errorf("start import of upload %s: %w", uploadID, err)
	}
	return db.FindImportJob(ctx, id)
}

// RunImportJob does a job: its progress is saved every 1,000 rows, its
// result (or why it failed) at the end. The context must outlive the
// request that started it.
func (db *DB) RunImportJob(ctx context.Context, jobID string) (*ImportResult, error) {
	job, err := db.FindImportJob(ctx, jobID)
	if err != nil {
		return nil, err
	}
	up, content, err := db.importUpload(ctx, job.UploadID)
	if err == nil {
		var res *ImportResult
		res, err = db.ImportWith(ctx, bytes.NewReader(content), ImportOptions{Format: up.Format, DryRun: job.DryRun,
			Preview: importPreviewRows, Progress: func(rows int) { db.importProgress(ctx, jobID, rows) }})
		if err == nil {
			return res, db.finishImportJob(ctx, jobID, res, "")
		}
	}
	key := "import.failed"
	var se *Error
	if errors.As(err, &se) && se.Key != "" {
		key = se.Key
	}
	if ferr := db.finishImportJob(context.WithoutCancel(ctx), jobID, nil, key); ferr != nil {
		return nil, errors.Join(err, ferr)
	}
	return nil, fmt.Errorf("import job %s: %w", jobID, err)
}

// importProgress saves how far a job has read; a failure to say so is no
// reason to stop the import.
func (db *DB) importProgress(ctx context.Context, jobID string, rows int) {
	_ = db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET rows_read = $2, updated_at = now() WHERE id = $1`, jobID, rows)
		return err
	})
}

// finishImportJob saves a job's result, or the key of why it failed.
func (db *DB) finishImportJob(ctx context.Context, jobID string, res *ImportResult, failKey string) error {
	status, raw := JobFailed, []byte(nil)
	if res != nil {
		status = JobDone
		jr := jobResult{Imported: res.Imported, Updated: res.Updated, Skipped: res.Skipped, Columns: res.Columns, Preview: res.Preview,
			Errors: make([]jobError, len(res.Errors))}
		for i, e := range res.Errors {
			jr.Errors[i] = jobError{Row: e.Row, Field: e.Field, Key: e.Key, Params: e.Params}
		}
		var err error
		if raw, err = json.Marshal(jr); err != nil {
			return fmt.Errorf("encode result of import job %s: %w", jobID, err)
		}
	}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE import_jobs SET status = $2, result = $3, error = $4, updated_at = now(), finished_at = now()
			WHERE id = $1`, jobID, status, raw, failKey)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish import job %s: %w", jobID, err)
	}
	return nil
}

// FindImportJob reads a job of the context's admin; a job nobody has
// heard of for importJobStalled was interrupted and reads as failed.
func (db *DB) FindImportJob(ctx context.Context, id string) (*ImportJob, error) {
	t, p, err := adminPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	var j ImportJob
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &j, `
			SELECT j.id, j.upload_id, u.filename, j.dry_run, j.status, j.rows_read, j.error, j.created_at, j.updated_at,
			       j.finished_at, j.result
			FROM import_jobs j JOIN import_uploads u ON u.id = j.upload_id
			WHERE j.tenant_id = $1 AND j.account_id = $2 AND j.id::text = $3`, t.ID, p.AccountID, id)
	})
	if err != nil {
		return nil, notFound(err, "read import job "+id)
	}
	if j.Status == JobRunning && db.now().Sub(j.UpdatedAt) > importJobStalled {
		j.Status, j.Error = JobFailed, "import.interrupted"
	}
	if j.Raw != nil {
		var jr jobResult
		if err := json.Unmarshal(j.Raw, &jr); err != nil {
			return nil, fmt.Errorf("decode result of import job %s: %w", id, err)
		}
		res := &ImportResult{Imported: jr.Imported, Updated: jr.Updated, Skipped: jr.Skipped, Columns: jr.Columns, Preview: jr.Preview,
			Errors: make([]ImportError, len(jr.Errors))}
		for i, e := range jr.Errors {
			res.Errors[i] = ImportError{Row: e.Row, Field: e.Field, Key: e.Key, Params: e.Params}
		}
		j.Result = res
	}
	return &j, nil
}

// WriteImportReport writes a finished job's report as an XLSX: the file's
// header and each row that had errors, as the file had it, with a last
// column "Błędy" saying what was wrong (message writes one error).
func (db *DB) WriteImportReport(ctx context.Context, jobID string, w io.Writer, message func(ImportError) string) error {
	job, err := db.FindImportJob(ctx, jobID)
	if err != nil {
		return err
	}
	if job.Result == nil {
		return Errorf(ENotFound, "not_found")
	}
	up, content, err := db.importUpload(ctx, job.UploadID)
	if err != nil {
		return err
	}
	byRow := map[int][]string{}
	for _, e := range job.Result.Errors {
		if e.Row > 0 {
			byRow[e.Row] = append(byRow[e.Row], message(e))
		}
	}
	src, err := openImportSource(bytes.NewReader(content), up.Format)
	if err != nil {
		return err
	}
	defer src.Close()
	header, _, rowNo, err := readImportHeader(src)
	if err != nil {
		return err
	}
	xw, err := sheet.NewXLSXWriter(w, sheet.XLSXBook{Sheet: "Raport", Header: append(append([]string(nil), header...), "Błędy"),
		Title: up.Filename, Created: db.now().UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	for len(byRow) > 0 {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		rowNo++
		msgs, bad := byRow[rowNo]
		if !bad {
			continue
		}
		delete(byRow, rowNo)
		vals := make([]any, len(header)+1)
		for i := range header {
			vals[i] = ""
			if i < len(rec) {
				vals[i] = rec[i]
			}
		}
		vals[len(header)] = strings.Join(msgs, "\n")
		if err := xw.Write(vals); err != nil {
			return err
		}
	}
	return xw.Close()
}
