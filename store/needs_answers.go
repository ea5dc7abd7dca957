package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

const maxPartners = 5

// AnswerInput is an entity's answer: its listing, a message, optionally
// a PDF and the partners of a consortium (konsorcjum).
type AnswerInput struct {
	ListingID string   `json:"listing_id"`
	Message   string   `json:"message"`
	Partners  []string `json:"partners"`
	FileName  string   `json:"-"`
	File      []byte   `json:"-"`
}

// AnswerPartner is one partner of a joint answer.
type AnswerPartner struct {
	ListingID   string     `db:"listing_id" json:"listing_id"`
	Name        string     `db:"name" json:"name"`
	ConfirmedAt *time.Time `db:"confirmed_at" json:"confirmed_at,omitempty"`
	// NeedTenant is the need's region, when the inbox lists it (a need of
	// another region reaches a listing open to it).
	NeedTenant string `db:"need_tenant" json:"-"`
}

// Answer is an answer as its buyer (and its authors) see it.
type Answer struct {
	ID          string          `db:"id" json:"id"`
	NeedID      string          `db:"need_id" json:"need_id"`
	NeedTitle   string          `db:"need_title" json:"need_title"`
	ListingID   string          `db:"listing_id" json:"listing_id"`
	ListingName string          `db:"listing_name" json:"listing_name"`
	Message     string          `db:"message" json:"message"`
	CreatedAt   time.Time       `db:"created_at" json:"created_at"`
	FileID      *string         `db:"file_id" json:"file_id,omitempty"`
	Partners    []AnswerPartner `db:"-" json:"partners"`
}

// Joint reports whether every partner confirmed: only then the answer
// counts as a consortium's.
func (a *Answer) Joint() bool {
	if len(a.Partners) == 0 {
		return false
	}
	for _, p := range a.Partners {
		if p.ConfirmedAt == nil {
			return false
		}
	}
	return true
}

const answerSelect = `
	SELECT a.id, a.need_id, n.title AS need_title, a.listing_id,
	       coalesce(l.name, (SELECT m.listing_name FROM need_matches m WHERE m.need_id = a.need_id AND m.listing_id = a.listing_id), '') AS listing_name,
	       a.message, a.created_at, (SELECT f.id::text FROM need_files f WHERE f.answer_id = a.id LIMIT 1) AS file_id
	FROM need_answers a JOIN needs n ON n.id = a.need_id LEFT JOIN listings l ON l.id = a.listing_id`

// answerer is the signed-in enterprise in its tenant.
func answerer(ctx context.Context) (*tenants.Tenant, tenants.Principal, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, tenants.Principal{}, ErrNoScope
	}
	p := tenants.PrincipalFrom(ctx)
	if !p.Can(tenants.PermNeedsAnswer) {
		return nil, p, Errorf(EForbidden, "need.enterprise_only")
	}
	return t, p, nil
}

// ownListing refuses a listing that is not the account's published one.
func ownListing(ctx context.Context, tx *sqlx.Tx, tenantID, accountID, listingID string) error {
	if !ValidID(listingID) {
		return Invalid([]FieldError{{Field: "listing_id", Key: "need.listing_not_yours"}})
	}
	var ok bool
	if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM listings WHERE tenant_id = $1 AND id = $2 AND owner_id = $3 AND status = 'published')`,
		tenantID, listingID, accountID); err != nil {
		return fmt.Errorf("check listing %s: %w", listingID, err)
	}
	if !ok {
		return Invalid([]FieldError{{Field: "listing_id", Key: "need.listing_not_yours"}})
	}
	return nil
}

// openNeed locks a published need of the tenant whose deadline is ahead.
func (db *DB) openNeed(ctx context.Context, tx *sqlx.Tx, tenantID, needID string) (*Need, error) {
	if !ValidID(needID) {
		return nil, ErrNotFound
	}
	var n Need
	if err := tx.GetContext(ctx, &n, needSelect+` WHERE n.tenant_id = $1 AND n.id = $2 AND n.status IN ('published', 'closed') FOR UPDATE OF n`, tenantID, needID); err != nil {
		return nil, notFound(err, "find need "+needID)
	}
	if n.Status != NeedPublished || !n.Deadline.After(db.now()) {
		return nil, Errorf(EConflict, "need.closed")
	}
	return &n, nil
}

// AnswerNeed records an answer for the owner's listing, on the need
// wherever its region (a need of another region only when it reached the
// listing); partners are asked to confirm from their desks (tellPartner),
// the buyer is told.
func (db *DB) AnswerNeed(ctx context.Context, needID string, in AnswerInput, tellPartner NeedNoticeFunc, tellBuyerMail func(NeedDecision) Mail) (*Answer, error) {
	t, p, err := answerer(ctx)
	if err != nil {
		return nil, err
	}
	fileName, err := in.check()
	if err != nil {
		return nil, err
	}
	var a *Answer
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := ownListing(ctx, tx, t.ID, p.AccountID, in.ListingID); err != nil {
			return err
		}
		needTenant, err := needRegion(ctx, tx, t.ID, p.AccountID, needID, in.ListingID)
		if err != nil {
			return err
		}
		n, err := db.openNeed(ctx, tx, needTenant, needID)
		if err != nil {
			return err
		}
		var id string
		err = tx.GetContext(ctx, &id, `INSERT INTO need_answers (tenant_id, need_id, listing_id, account_id, message)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, needTenant, n.ID, in.ListingID, p.AccountID, in.Message)
		if err != nil {
			if ErrorCode(translate(err)) == EConflict {
				return Errorf(EConflict, "need.answered")
			}
			return fmt.Errorf("save answer: %w", err)
		}
		if fileName != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO need_files (tenant_id, need_id, answer_id, name, size, content) VALUES ($1, $2, $3, $4, $5, $6)`,
				needTenant, n.ID, id, fileName, len(in.File), in.File); err != nil {
				return fmt.Errorf("save answer file: %w", err)
			}
		}
		if err := markAnswered(ctx, tx, n, in.ListingID, t.ID, p.AccountID); err != nil {
			return err
		}
		if err := addPartners(ctx, tx, n, id, in.Partners, tellPartner); err != nil {
			return err
		}
		if err := tellBuyer(ctx, tx, needTenant, n.ID, n.BuyerID, "answer", "", tellBuyerMail); err != nil {
			return err
		}
		a, err = readAnswer(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// addPartners names the partners of a joint answer: published listings
// of the need's region, each asked to confirm from its desk.
func addPartners(ctx context.Context, tx *sqlx.Tx, n *Need, answerID string, ids []string, tellPartner NeedNoticeFunc) error {
	if len(ids) == 0 {
		return nil
	}
	var partners []needCandidate
	if err := tx.SelectContext(ctx, &partners, `
		SELECT l.id, l.tenant_id, t.slug AS tenant_slug, coalesce(l.name, '') AS name, l.owner_id,
		       coalesce(CASE WHEN a.status = 'active' THEN a.email END, l.data->'contact'->>'email', '') AS email,
		       coalesce(CASE WHEN a.status = 'active' THEN a.lang END, 'pl') AS lang, 0 AS weekly_cap, 0 AS score
		FROM listings l JOIN tenants t ON t.id = l.tenant_id LEFT JOIN accounts a ON a.id = l.owner_id
		WHERE l.tenant_id = $1 AND l.status = 'published' AND l.id::text = ANY($2::text[])`, n.TenantID, pq.Array(ids)); err != nil {
		return fmt.Errorf("read partners: %w", err)
	}
	if len(partners) != len(ids) {
		return Invalid([]FieldError{{Field: "partners", Key: "need.partner"}})
	}
	for _, c := range partners {
		if _, err := tx.ExecContext(ctx, `INSERT INTO need_answer_partners (tenant_id, answer_id, listing_id) VALUES ($1, $2, $3)`, n.TenantID, answerID, c.ID); err != nil {
			return fmt.Errorf("save partner %s: %w", c.ID, err)
		}
		if c.Email != "" && tellPartner != nil {
			notice := NeedNotice{Kind: NoticeNeedPartner, Need: n, ListingID: c.ID, ListingName: c.Name, ListingTenantSlug: c.TenantSlug, To: c.Email, Lang: c.Lang}
			if err := tellEntity(ctx, tx, notice, c.TenantID, c.OwnerID, tellPartner); err != nil {
				return err
			}
		}
	}
	return nil
}

// check normalises an answer and says what is wrong with it; it returns
// the attached PDF's name, if one is attached.
func (in *AnswerInput) check() (string, error) {
	v := &validator{}
	v.text("message", &in.Message, maxNeedText, true)
	in.Partners = dedupe(trimAll(in.Partners))
	if len(in.Partners) > maxPartners {
		v.add("partners", "too_many")
	}
	for i, id := range in.Partners {
		if !ValidID(id) || id == in.ListingID {
			v.add(fmt.Sprintf("partners[%d]", i), "need.partner")
		}
	}
	fileName := ""
	if len(in.File) > 0 {
		var err error
		if fileName, err = checkPDF(in.FileName, in.File); err != nil {
			return "", err
		}
	}
	if len(v.errs) > 0 {
		return "", Invalid(v.errs)
	}
	return fileName, nil
}

// markAnswered notes on the tracking table that a listing answered; one
// that found the need by itself (not matched) joins the table then.
func markAnswered(ctx context.Context, tx *sqlx.Tx, n *Need, listingID, listingTenant, accountID string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO need_matches (tenant_id, need_id, listing_id, listing_tenant_id, account_id, score, opened_at, answered_at, listing_name)
		VALUES ($1, $2, $3, $4, $5, -1, now(), now(), coalesce((SELECT name FROM listings WHERE id = $3), ''))
		ON CONFLICT (need_id, listing_id) DO UPDATE SET answered_at = coalesce(need_matches.answered_at, now()),
		       opened_at = coalesce(need_matches.opened_at, now())`, n.TenantID, n.ID, listingID, listingTenant, accountID)
	if err != nil {
		return fmt.Errorf("mark %s answered: %w", listingID, err)
	}
	return nil
}

// ConfirmPartner confirms, for the owner's listing, its part in a joint
// answer.
func (db *DB) ConfirmPartner(ctx context.Context, answerID, listingID string) (*Answer, error) {
	t, p, err := answerer(ctx)
	if err != nil {
		return nil, err
	}
	if !ValidID(answerID) {
		return nil, ErrNotFound
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := ownListing(ctx, tx, t.ID, p.AccountID, listingID); err != nil {
			return err
		}
		var needID string
		if err := tx.GetContext(ctx, &needID, `SELECT need_id FROM need_answers WHERE tenant_id = $1 AND id = $2`, t.ID, answerID); err != nil {
			return notFound(err, "find answer "+answerID)
		}
		n, err := db.openNeed(ctx, tx, t.ID, needID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE need_answer_partners SET confirmed_at = coalesce(confirmed_at, now())
			WHERE answer_id = $1 AND listing_id = $2`, answerID, listingID)
		if err != nil {
			return fmt.Errorf("confirm partner: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return ErrNotFound
		}
		return markAnswered(ctx, tx, n, listingID, t.ID, p.AccountID)
	})
	if err != nil {
		return nil, err
	}
	return db.findAnswer(ctx, answerID)
}

func (db *DB) findAnswer(ctx context.Context, id string) (*Answer, error) {
	var a *Answer
	err := db.tx(ctx, func(tx *sqlx.Tx) (err error) {
		a, err = readAnswer(ctx, tx, id)
		return err
	})
	return a, err
}

// readAnswer reads an answer with its partners in tx's region.
func readAnswer(ctx context.Context, tx *sqlx.Tx, id string) (*Answer, error) {
	var a Answer
	if err := tx.GetContext(ctx, &a, answerSelect+` WHERE a.id = $1`, id); err != nil {
		return nil, notFound(err, "find answer "+id)
	}
	return &a, loadPartners(ctx, tx, []*Answer{&a})
}

func loadPartners(ctx context.Context, tx *sqlx.Tx, list []*Answer) error {
	for _, a := range list {
		a.Partners = []AnswerPartner{}
		if err := tx.SelectContext(ctx, &a.Partners, `SELECT p.listing_id, coalesce(l.name, '') AS name, p.confirmed_at
			FROM need_answer_partners p JOIN listings l ON l.id = p.listing_id WHERE p.answer_id = $1 ORDER BY l.name, p.listing_id`, a.ID); err != nil {
			return fmt.Errorf("read partners of %s: %w", a.ID, err)
		}
	}
	return nil
}

// FindNeedAnswers lists a need's answers for its buyer and staff.
func (db *DB) FindNeedAnswers(ctx context.Context, needID string) ([]*Answer, error) {
	n, err := db.ownOrStaffNeed(ctx, needID)
	if err != nil {
		return nil, err
	}
	list := []*Answer{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &list, answerSelect+` WHERE a.need_id = $1 ORDER BY a.created_at, a.id`, n.ID); err != nil {
			return fmt.Errorf("answers of %s: %w", n.ID, err)
		}
		return loadPartners(ctx, tx, list)
	})
	return list, err
}

// ownOrStaffNeed is FindNeed limited to the need's buyer and staff.
func (db *DB) ownOrStaffNeed(ctx context.Context, needID string) (*Need, error) {
	n, err := db.FindNeed(ctx, needID)
	if err != nil {
		return nil, err
	}
	p := tenants.PrincipalFrom(ctx)
	if n.BuyerID != p.AccountID && !p.Can(tenants.PermNeedsModerate) {
		return nil, Errorf(EForbidden, "forbidden")
	}
	return n, nil
}

// DeclineNeed records, for the owner's listing, that the need is not
// for it.
func (db *DB) DeclineNeed(ctx context.Context, needID, listingID, reason string) error {
	t, p, err := answerer(ctx)
	if err != nil {
		return err
	}
	v := &validator{}
	v.text("reason", &reason, 2000, false)
	if len(v.errs) > 0 {
		return Invalid(v.errs)
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := ownListing(ctx, tx, t.ID, p.AccountID, listingID); err != nil {
			return err
		}
		needTenant, err := needRegion(ctx, tx, t.ID, p.AccountID, needID, listingID)
		if err != nil {
			return err
		}
		if _, err := db.openNeed(ctx, tx, needTenant, needID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE need_matches SET declined_at = coalesce(declined_at, now()), decline_reason = $3,
			opened_at = coalesce(opened_at, now()) WHERE need_id = $1 AND listing_id = $2`, needID, listingID, reason)
		if err != nil {
			return fmt.Errorf("decline need %s: %w", needID, err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return Errorf(EConflict, "need.not_matched")
		}
		return nil
	})
}

// InboxItem is a need on an entity's desk: matched, or a consortium
// partner's request to confirm.
type InboxItem struct {
	NeedID      string     `db:"need_id" json:"need_id"`
	Title       string     `db:"title" json:"title"`
	Deadline    time.Time  `db:"deadline" json:"deadline"`
	Status      string     `db:"status" json:"status"`
	ListingID   string     `db:"listing_id" json:"listing_id"`
	ListingName string     `db:"listing_name" json:"listing_name"`
	AnsweredAt  *time.Time `db:"answered_at" json:"answered_at,omitempty"`
	DeclinedAt  *time.Time `db:"declined_at" json:"declined_at,omitempty"`
	AnswerID    *string    `db:"answer_id" json:"answer_id,omitempty"`
	LeadName    string     `db:"lead_name" json:"lead_name,omitempty"`
	ConfirmedAt *time.Time `db:"confirmed_at" json:"confirmed_at,omitempty"`
	// NeedTenant is the need's region, when the inbox lists it (a need of
	// another region reaches a listing open to it).
	NeedTenant string `db:"need_tenant" json:"-"`
}

// FindNeedInbox lists the needs that reached the signed-in owner's
// listings in this region and the joint answers waiting for its word.
func (db *DB) FindNeedInbox(ctx context.Context) (matched, partner []InboxItem, err error) {
	t, p, err := answerer(ctx)
	if err != nil {
		return nil, nil, err
	}
	matched, partner = []InboxItem{}, []InboxItem{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		// Needs of other regions that reached the owner's listings too:
		// read across regions, by the listing's region and owner.
		if err := scopeTx(ctx, tx, ""); err != nil {
			return err
		}
		if err := tx.SelectContext(ctx, &matched, `
			SELECT m.need_id, n.title, n.deadline, n.status, m.listing_id, coalesce(l.name, '') AS listing_name, m.answered_at, m.declined_at,
			       NULL::text AS answer_id, '' AS lead_name, NULL::timestamptz AS confirmed_at, nt.slug AS need_tenant
			FROM need_matches m JOIN needs n ON n.id = m.need_id JOIN listings l ON l.id = m.listing_id JOIN tenants nt ON nt.id = n.tenant_id
			WHERE m.listing_tenant_id = $1 AND l.tenant_id = $1 AND l.owner_id = $2 AND n.status IN ('published', 'closed')
			ORDER BY n.deadline DESC, m.need_id LIMIT 200`, t.ID, p.AccountID); err != nil {
			return fmt.Errorf("matched needs: %w", err)
		}
		if err := scopeTx(ctx, tx, t.ID); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &partner, `
			SELECT a.need_id, n.title, n.deadline, n.status, pa.listing_id, coalesce(l.name, '') AS listing_name,
			       NULL::timestamptz AS answered_at, NULL::timestamptz AS declined_at, a.id::text AS answer_id,
			       coalesce(ll.name, '') AS lead_name, pa.confirmed_at
			FROM need_answer_partners pa JOIN need_answers a ON a.id = pa.answer_id JOIN needs n ON n.id = a.need_id
			JOIN listings l ON l.id = pa.listing_id JOIN listings ll ON ll.id = a.listing_id
			WHERE pa.tenant_id = $1 AND l.owner_id = $2 ORDER BY a.created_at DESC LIMIT 200`, t.ID, p.AccountID)
	})
	return matched, partner, err
}

// OwnListingsForAnswer lists the owner's published listings (to answer
// for) in the region.
func (db *DB) OwnListingsForAnswer(ctx context.Context) ([]InboxItem, error) {
	t, p, err := answerer(ctx)
	if err != nil {
		return nil, err
	}
	list := []InboxItem{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `SELECT '' AS need_id, '' AS title, now() AS deadline, status, id AS listing_id,
			coalesce(name, '') AS listing_name, NULL::timestamptz AS answered_at, NULL::timestamptz AS declined_at, NULL::text AS answer_id,
			'' AS lead_name, NULL::timestamptz AS confirmed_at
			FROM listings WHERE tenant_id = $1 AND owner_id = $2 AND status = 'published' ORDER BY name, id`, t.ID, p.AccountID)
	})
	return list, err
}

// FindPartnerCandidates lists the region's published listings a need
// reached: whom an answer may name as consortium partners.
func (db *DB) FindPartnerCandidates(ctx context.Context, needID string) ([]InboxItem, error) {
	t, _, err := answerer(ctx)
	if err != nil {
		return nil, err
	}
	list := []InboxItem{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `SELECT m.need_id::text, '' AS title, now() AS deadline, l.status, l.id AS listing_id,
			coalesce(l.name, '') AS listing_name, NULL::timestamptz AS answered_at, NULL::timestamptz AS declined_at, NULL::text AS answer_id,
			'' AS lead_name, NULL::timestamptz AS confirmed_at
			FROM need_matches m JOIN listings l ON l.id = m.listing_id
			WHERE m.tenant_id = $1 AND m.need_id::text = $2 AND l.tenant_id = $1 AND l.status = 'published' ORDER BY l.name, l.id`, t.ID, needID)
	})
	return list, err
}

// MarkNeedOpened notes on the tracking table that the signed-in owner
// opened a need that reached its listings (the first time counts).
func (db *DB) MarkNeedOpened(ctx context.Context, needID string) error {
	t, p, err := answerer(ctx)
	if err != nil || !ValidID(needID) {
		return err
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE need_matches m SET opened_at = now() FROM listings l
			WHERE m.need_id = $1 AND m.tenant_id = $2 AND m.opened_at IS NULL AND l.id = m.listing_id AND l.owner_id = $3`,
			needID, t.ID, p.AccountID)
		if err != nil {
			return fmt.Errorf("mark need %s opened: %w", needID, err)
		}
		return nil
	})
}
