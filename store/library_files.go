package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	_ "image/jpeg" // covers: DecodeConfig reads JPEG
	_ "image/png"  // and PNG
	"path"
	"regexp"
	"strings"

	"github.com/gabriel-vasile/mimetype"
	"github.com/jmoiron/sqlx"
)

// Files keeps the bytes of stored files (DESIGN.md "Files, mail,
// registries"). PostgreSQL keeps them now, inside the transaction of the
// record that names them; an S3-compatible store would ignore tx, put the
// object first and leave a sweep to remove objects no record names.
type Files interface {
	Put(ctx context.Context, tx *sqlx.Tx, tenantID string, f StoredFile) (id string, err error)
	Get(ctx context.Context, tx *sqlx.Tx, id string) (*StoredFile, error)
}

// StoredFile is a file's bytes with the type its content was checked as.
type StoredFile struct {
	ContentType string
	Data        []byte
}

// pgFiles is Files in the stored_files table.
type pgFiles struct{}

func (pgFiles) Put(ctx context.Context, tx *sqlx.Tx, tenantID string, f StoredFile) (string, error) {
	sum := sha256.Sum256(f.Data)
	var id string
	err := tx.GetContext(ctx, &id, `
		INSERT INTO stored_files (tenant_id, content_type, size, sha256, data) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		tenantID, f.ContentType, len(f.Data), sum[:], f.Data)
	if err != nil {
		return "", fmt.Errorf("store file: %w", err)
	}
	return id, nil
}

func (pgFiles) Get(ctx context.Context, tx *sqlx.Tx, id string) (*StoredFile, error) {
	var f struct {
		ContentType string `db:"content_type"`
		Data        []byte `db:"data"`
	}
	if err := tx.GetContext(ctx, &f, `SELECT content_type, data FROM stored_files WHERE id = $1`, id); err != nil {
		return nil, notFound(err, "stored file "+id)
	}
	return &StoredFile{ContentType: f.ContentType, Data: f.Data}, nil
}

// files is where this database keeps file bytes.
func (db *DB) files() Files { return pgFiles{} }

// MaxLibraryFile is the largest document the library takes.
const MaxLibraryFile = 25 << 20

// Library document types, by what their content is (never by their name
// or the type the browser claims).
const (
	TypePDF  = "application/pdf"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

var libraryTypes = map[string]string{TypePDF: ".pdf", TypeDOCX: ".docx", TypeXLSX: ".xlsx"}

// CheckLibraryFile tells a document's type by its content; a file that is
// none of PDF, DOCX, XLSX (whatever its name says), empty or over 25 MB is
// refused at field "file".
func CheckLibraryFile(data []byte) (string, error) {
	if len(data) == 0 {
		return "", Invalid([]FieldError{{Field: "file", Key: "library.file.empty"}})
	}
	if len(data) > MaxLibraryFile {
		return "", Invalid([]FieldError{{Field: "file", Key: "library.file.too_large", Params: map[string]any{"Max": "25 MB"}}})
	}
	for m := mimetype.Detect(data); m != nil; m = m.Parent() {
		if _, ok := libraryTypes[m.String()]; ok {
			return m.String(), nil
		}
	}
	return "", Invalid([]FieldError{{Field: "file", Key: "library.file.type"}})
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// LibraryFileName is the download name of an upload: its name folded to
// safe letters, with the extension of its checked type.
func LibraryFileName(upload, contentType string) string {
	base := strings.TrimSuffix(path.Base(strings.ReplaceAll(upload, "\\", "/")), path.Ext(upload))
	r := strings.NewReplacer("ą", "a", "ć", "c", "ę", "e", "ł", "l", "ń", "n", "ó", "o", "ś", "s", "ź", "z", "ż", "z",
		"Ą", "A", "Ć", "C", "Ę", "E", "Ł", "L", "Ń", "N", "Ó", "O", "Ś", "S", "Ź", "Z", "Ż", "Z")
	base = strings.Trim(unsafeName.ReplaceAllString(r.Replace(base), "-"), "-._")
	if len(base) > 100 {
		base = base[:100]
	}
	if base == "" {
		base = "plik"
	}
	return base + libraryTypes[contentType]
}

// NewLibraryFile is a checked upload with the text of a PDF.
type NewLibraryFile struct {
	Name        string
	ContentType string
	Data        []byte
	Text        string
	TextStatus  string // ok, no_text, not_pdf
}

// AddLibraryFile stores a document of an item (replacing one of the same
// name), with its history line and index event, in one transaction.
func (db *DB) AddLibraryFile(ctx context.Context, itemID string, f NewLibraryFile) (*LibraryItem, error) {
	p, cur, err := db.writableLibraryItem(ctx, itemID)
	if err != nil {
		return nil, err
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		fileID, err := db.files().Put(ctx, tx, cur.TenantID(), StoredFile{ContentType: f.ContentType, Data: f.Data})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO library_files (tenant_id, item_id, name, file_id, content_type, size, text, text_status)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (item_id, name) DO UPDATE SET file_id = EXCLUDED.file_id, content_type = EXCLUDED.content_type,
			       size = EXCLUDED.size, text = EXCLUDED.text, text_status = EXCLUDED.text_status, created_at = clock_timestamp()`,
			cur.TenantID(), itemID, f.Name, fileID, f.ContentType, len(f.Data), f.Text, f.TextStatus); err != nil {
			return fmt.Errorf("attach file to library item %s: %w", itemID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE library_items SET updated_at = clock_timestamp() WHERE id = $1`, itemID); err != nil {
			return fmt.Errorf("touch library item %s: %w", itemID, err)
		}
		return libraryChanged(ctx, tx, cur.TenantID(), itemID, p, "file", cur.Status, cur.Status, []string{"files"})
	})
	if err != nil {
		return nil, err
	}
	return db.FindLibraryItem(ctx, itemID)
}

// FindLibraryFile is a document's record and bytes.
func (db *DB) FindLibraryFile(ctx context.Context, itemID, name string) (*LibraryFile, *StoredFile, error) {
	if !uuidRe.MatchString(itemID) {
		return nil, nil, ErrNotFound
	}
	var rec struct {
		LibraryFile
		FileID string `db:"file_id"`
	}
	var data *StoredFile
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &rec, `
			SELECT name, content_type, size, text_status, created_at, file_id FROM library_files
			WHERE item_id = $1 AND name = $2`, itemID, name); err != nil {
			return notFound(err, "library file "+name)
		}
		var err error
		data, err = db.files().Get(ctx, tx, rec.FileID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return &rec.LibraryFile, data, nil
}

// MaxCover is the largest cover image, in bytes and in pixels a side.
const (
	MaxCover       = 2 << 20
	MaxCoverPixels = 4000
)

// CheckCover tells a cover image's type by its content: PNG or JPEG, at
// most 2 MB and 4000 px a side, else an error at field "file".
func CheckCover(data []byte) (string, error) {
	bad := func(key string) error {
		return Invalid([]FieldError{{Field: "file", Key: key, Params: map[string]any{"Max": "2 MB", "Pixels": MaxCoverPixels}}})
	}
	if len(data) == 0 {
		return "", bad("library.file.empty")
	}
	if len(data) > MaxCover {
		return "", bad("library.file.too_large")
	}
	ct := mimetype.Detect(data).String()
	if ct != "image/png" && ct != "image/jpeg" {
		return "", bad("library.cover.type")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", bad("library.cover.type")
	}
	if cfg.Width > MaxCoverPixels || cfg.Height > MaxCoverPixels {
		return "", bad("library.cover.too_big")
	}
	return ct, nil
}

// SetLibraryCover stores an item's cover image (checked by CheckCover).
func (db *DB) SetLibraryCover(ctx context.Context, itemID string, f StoredFile) (*LibraryItem, error) {
	p, cur, err := db.writableLibraryItem(ctx, itemID)
	if err != nil {
		return nil, err
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		fileID, err := db.files().Put(ctx, tx, cur.TenantID(), f)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE library_items SET cover_file_id = $2, updated_at = clock_timestamp() WHERE id = $1`, itemID, fileID); err != nil {
			return fmt.Errorf("set the cover of library item %s: %w", itemID, err)
		}
		return libraryChanged(ctx, tx, cur.TenantID(), itemID, p, "cover", cur.Status, cur.Status, []string{"cover"})
	})
	if err != nil {
		return nil, err
	}
	return db.FindLibraryItem(ctx, itemID)
}

// FindLibraryCover is an item's cover image.
func (db *DB) FindLibraryCover(ctx context.Context, itemID string) (*StoredFile, error) {
	if !uuidRe.MatchString(itemID) {
		return nil, ErrNotFound
	}
	var f *StoredFile
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var id *string
		if err := tx.GetContext(ctx, &id, `SELECT cover_file_id FROM library_items WHERE id = $1`, itemID); err != nil {
			return notFound(err, "library item "+itemID)
		}
		if id == nil {
			return ErrNotFound
		}
		var err error
		f, err = db.files().Get(ctx, tx, *id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}
