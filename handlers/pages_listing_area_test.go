package handlers_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// visibleText is a page's text as read: no tags, scripts or attributes.
func visibleText(body string) string {
	body = regexp.MustCompile(`(?s)<script.*?</script>`).ReplaceAllString(body, " ")
	return html.UnescapeString(regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(body, " "))
}

// unitCodeRe is a powiat's or gmina's TERYT code (4 or 7 digits) as text.
// (not the decimals of a point, "50.2599").
var unitCodeRe = regexp.MustCompile(`(?:^|[^\d.,])\d{4}(?:\d{3})?\b`)

// choiceValue is the value of the checkbox or option labelled label.
func choiceValue(t *testing.T, body, name, label string) string {
	t.Helper()
	re := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"[^>]*>\s*<label for="[^"]*">` + regexp.QuoteMeta(label) + `</label>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s choice labelled %q", name, label)
	}
	return m[1]
}

// storedArea is the service area a listing's editable version holds.
func (f *pagesFixture) storedArea(t *testing.T, id string) store.ServiceArea {
	t.Helper()
	ctx := tenants.WithPrincipal(tenants.NewContext(context.Background(), storetest.Tenants(t, f.s.db)["slaskie"]), f.ownerP)
	l, err := f.s.db.FindListingByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if l.Revision != nil {
		return l.Revision.Data.ServiceArea
	}
	return l.ServiceArea
}

func TestTheServiceAreaIsChosenByNames(t *testing.T) {
	f := newPagesFixture(t)
	owner := f.s.web()
	owner.signIn("slaskie", f.owner)
	for _, lang := range []string{"pl", "en"} {
		path := "/r/slaskie/moje/nowy?lang=" + lang
		form := owner.get(path)
		checkPage(t, path, lang, form)
		form.contains(t, `name="service_area.powiats"`, `name="service_area.gmina_powiat"`)
		if lang == "pl" {
			form.contains(t, ">Gliwice</label>", ">Katowice</label>", ">gliwicki</label>", "całe województwo śląskie")
		}
		if strings.Contains(form.Body, `name="service_area.teryt"`) {
			t.Fatalf("the form still asks for codes")
		}
		if m := unitCodeRe.FindString(visibleText(form.Body)); m != "" {
			t.Fatalf("%s shows the code %q as text", path, m)
		}
	}

	// Two powiats ticked by name are saved as their codes.
	form := owner.get("/r/slaskie/moje/"+f.pending).expect(t, 200)
	v := formOf(form.Body)
	v.Set("service_area.scope", "powiats")
	v["service_area.powiats"] = []string{choiceValue(t, form.Body, "service_area.powiats", "Gliwice"),
		choiceValue(t, form.Body, "service_area.powiats", "Katowice")}
	v.Set("action", "save")
	owner.post("/r/slaskie/moje/"+f.pending, v).expect(t, 303)
	if sa := f.storedArea(t, f.pending); sa.Scope != "powiats" || !slices.Equal(sa.TERYT, []string{"2466", "2469"}) {
		t.Fatalf("stored area %+v", sa)
	}
	// The form shows them ticked, by name.
	again := owner.get("/r/slaskie/moje/"+f.pending).expect(t, 200)
	if got := formOf(again.Body)["service_area.powiats"]; !slices.Equal(got, []string{"2466", "2469"}) {
		t.Fatalf("ticked powiats %v", got)
	}
	if m := unitCodeRe.FindString(visibleText(again.Body)); m != "" {
		t.Fatalf("the edit form shows the code %q as text", m)
	}
}

func TestGminasAreAddedPowiatByPowiat(t *testing.T) {
	f := newPagesFixture(t)
	owner := f.s.web()
	owner.signIn("slaskie", f.owner)
	form := owner.get("/r/slaskie/moje/"+f.pending).expect(t, 200)
	v := formOf(form.Body)
	// The area the store gave it: the seat's gmina, ticked by name.
	if got := v["service_area.gminas"]; !slices.Equal(got, []string{"2469011"}) {
		t.Fatalf("ticked gminas at first %v", got)
	}
	v.Set("service_area.scope", "gminas")
	v.Set("service_area.gmina_powiat", choiceValue(t, form.Body, "service_area.powiats", "gliwicki"))
	v.Set("action", "pick")
	// Without JavaScript: a step that draws the powiat's gminas, keeping the rest.
	step := owner.post("/r/slaskie/moje/"+f.pending, v).expect(t, 200)
	step.contains(t, "Knurów (miasto), powiat gliwicki", "Pilchowice (gmina wiejska), powiat gliwicki", `value="Fundacja Łączy Nas"`)
	v = formOf(step.Body)
	v.Add("service_area.gminas", choiceValue(t, step.Body, "service_area.gminas", "Knurów (miasto), powiat gliwicki"))
	v.Add("service_area.gminas", choiceValue(t, step.Body, "service_area.gminas", "Pilchowice (gmina wiejska), powiat gliwicki"))
	v.Set("service_area.gmina_powiat", choiceValue(t, step.Body, "service_area.powiats", "Katowice"))
	v.Set("action", "pick")
	// Another powiat: the gminas ticked stay, ticked.
	step = owner.post("/r/slaskie/moje/"+f.pending, v).expect(t, 200)
	v = formOf(step.Body)
	if got := v["service_area.gminas"]; !slices.Equal(got, []string{"2469011", "2405011", "2405042"}) {
		t.Fatalf("ticked gminas after the second step %v", got)
	}
	// Unticking one takes it out.
	v["service_area.gminas"] = slices.DeleteFunc(v["service_area.gminas"], func(c string) bool {
		return c == choiceValue(t, step.Body, "service_area.gminas", "Pilchowice (gmina wiejska), powiat gliwicki")
	})
	v.Set("action", "save")
	owner.post("/r/slaskie/moje/"+f.pending, v).expect(t, 303)
	if sa := f.storedArea(t, f.pending); sa.Scope != "gminas" || !slices.Equal(sa.TERYT, []string{"2469011", "2405011"}) {
		t.Fatalf("stored area %+v", sa)
	}
	again := owner.get("/r/slaskie/moje/"+f.pending).expect(t, 200)
	again.contains(t, "Knurów (miasto), powiat gliwicki", "Katowice (miasto), powiat Katowice")
	if m := unitCodeRe.FindString(visibleText(again.Body)); m != "" {
		t.Fatalf("the edit form shows the code %q as text", m)
	}
}

func TestTheModeratorSeesTheAreaByNames(t *testing.T) {
	f := newPagesFixture(t)
	owner, mod := f.s.web(), f.s.web()
	owner.signIn("slaskie", f.owner)
	mod.signIn("slaskie", f.moderator)
	v := formOf(owner.get("/r/slaskie/moje/"+f.published).expect(t, 200).Body)
	v.Set("service_area.scope", "powiats")
	v["service_area.powiats"] = []string{"2466", "2469"}
	v.Set("action", "save")
	owner.post("/r/slaskie/moje/"+f.published, v).expect(t, 303)
	item := queueItemOf(t, mod.get("/r/slaskie/moderacja").expect(t, 200).Body, f.published)
	for _, want := range []string{"wybrane powiaty", "Gliwice, Katowice", "wybrane gminy", "Katowice (miasto)"} {
		if !strings.Contains(item, want) {
			t.Fatalf("the diff lacks %q: %s", want, item)
		}
	}
	diff := regexp.MustCompile(`(?s)<table class="diff">.*?</table>`).FindString(item)
	if m := unitCodeRe.FindString(visibleText(diff)); diff == "" || m != "" {
		t.Fatalf("the diff shows the code %q: %s", m, item)
	}
}

func TestAnAreaOutsideTheRegionIsRefusedAtItsField(t *testing.T) {
	f := newPagesFixture(t)
	owner := f.s.web()
	owner.signIn("slaskie", f.owner)
	base := formOf(owner.get("/r/slaskie/moje/"+f.pending).expect(t, 200).Body)
	for _, c := range []struct{ scope, field, code string }{
		{"powiats", "service_area.powiats", "1261"},  // Kraków, małopolskie
		{"gminas", "service_area.gminas", "1261011"}, // Kraków, the gmina
	} {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		v.Set("service_area.scope", c.scope)
		v[c.field] = []string{c.code}
		v.Set("action", "save")
		p := owner.post("/r/slaskie/moje/"+f.pending, v).expect(t, 422)
		id := "f-" + strings.ReplaceAll(c.field, ".", "-")
		p.contains(t, `id="`+id+`-err"`, "leży poza województwem", `href="#`+id+`"`)
	}
	if sa := f.storedArea(t, f.pending); sa.Scope != "gminas" || !slices.Equal(sa.TERYT, []string{"2469011"}) {
		t.Fatalf("a refused area was stored: %+v", sa)
	}
}
