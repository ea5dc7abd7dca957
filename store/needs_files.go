package store

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

const (
	// MaxNeedFileSize bounds one attachment of a need or an answer.
	MaxNeedFileSize = 10 << 20
	// MaxNeedFiles is how many attachments a need carries.
	MaxNeedFiles = 3
)

// NeedFileContent is an attachment with its bytes, for download.
type NeedFileContent struct {
	NeedFile
	Content []byte `db:"content"`
}

// checkPDF refuses what is not a PDF by its content (the %PDF- magic), or
// is empty or too big; it returns a safe file name.
func checkPDF(name string, content []byte) (string, error) {
	switch {
	case len(content) == 0:
		return "", Invalid([]FieldError{{Field: "file", Key: "file.required"}})
	case len(content) > MaxNeedFileSize:
		return "", Invalid([]FieldError{{Field: "file", Key: "need.file_size", Params: map[string]any{"Max": "10 MB"}}})
	case !bytes.HasPrefix(content, []byte("%PDF-")):
		return "", Invalid([]FieldError{{Field: "file", Key: "need.file_pdf"}})
	}
	name = strings.Map(func(r rune) rune {
		if r < ' ' || strings.ContainsRune(`/\"<>:|?*`, r) {
			return '_'
		}
		return r
	}, filepath.Base(name))
	if !strings.HasSuffix(strings.ToLower(name), ".pdf") {
		name += ".pdf"
	}
	if utf8.RuneCountInString(name) > 120 || !utf8.ValidString(name) {
		name = "zalacznik.pdf"
	}
	return name, nil
}

// AddNeedFile attaches a PDF to the buyer's need while it is not yet
// closed or withdrawn; at most MaxNeedFiles.
func (db *DB) AddNeedFile(ctx context.Context, needID, name string, content []byte) (*NeedFile, error) {
	t, p, err := buyerCtx(ctx)
	if err != nil {
		return nil, err
	}
	name, err = checkPDF(name, content)
	if err != nil {
		return nil, err
	}
	var f NeedFile
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := lockOwnNeed(ctx, tx, t.ID, p.AccountID, needID, NeedDraft, NeedPending, NeedRejected, NeedPublished); err != nil {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM need_files WHERE need_id = $1 AND answer_id IS NULL`, needID); err != nil {
			return fmt.Errorf("count attachments: %w", err)
		}
		if n >= MaxNeedFiles {
			return Invalid([]FieldError{{Field: "file", Key: "need.file_count", Params: map[string]any{"Max": MaxNeedFiles}}})
		}
		return tx.GetContext(ctx, &f, `INSERT INTO need_files (tenant_id, need_id, name, size, content) VALUES ($1, $2, $3, $4, $5)
			RETURNING id, name, size`, t.ID, needID, name, len(content), content)
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// FindNeedFile reads an attachment of a need (or of an answer to it) the
// caller may read: the need's own files with the need, an answer's file
// for the buyer, its answerer and staff.
func (db *DB) FindNeedFile(ctx context.Context, needID, fileID string) (*NeedFileContent, error) {
	n, err := db.FindNeed(ctx, needID)
	if err != nil {
		return nil, err
	}
	if !ValidID(fileID) {
		return nil, ErrNotFound
	}
	p := tenants.PrincipalFrom(ctx)
	var f NeedFileContent
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &f, `
			SELECT f.id, f.name, f.size, f.content FROM need_files f
			LEFT JOIN need_answers a ON a.id = f.answer_id
			WHERE f.need_id = $1 AND f.id = $2
			  AND (f.answer_id IS NULL OR $3 OR a.account_id = NULLIF($4, '')::uuid)`, n.ID, fileID,
			n.BuyerID == p.AccountID || p.Can(tenants.PermNeedsModerate), p.AccountID)
	})
	if err != nil {
		return nil, notFound(err, "find need file "+fileID)
	}
	return &f, nil
}

// DeleteNeedFile removes an attachment of the buyer's need that is not
// yet public.
func (db *DB) DeleteNeedFile(ctx context.Context, needID, fileID string) error {
	t, p, err := buyerCtx(ctx)
	if err != nil {
		return err
	}
	if !ValidID(fileID) {
		return ErrNotFound
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := lockOwnNeed(ctx, tx, t.ID, p.AccountID, needID, NeedDraft, NeedPending, NeedRejected); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM need_files WHERE need_id = $1 AND id = $2 AND answer_id IS NULL`, needID, fileID)
		if err != nil {
			return fmt.Errorf("delete need file %s: %w", fileID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}
