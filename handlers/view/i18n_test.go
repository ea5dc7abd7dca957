package view_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// pluralForms are CLDR's for whole and fractional numbers.
var pluralForms = map[string][]string{"pl": {"one", "few", "many", "other"}, "en": {"one", "other"}}

func TestEveryMessageKeyHasBothLanguages(t *testing.T) {
	pl, en := map[string]string{}, map[string]string{}
	for lang, m := range map[string]map[string]string{"pl": pl, "en": en} {
		files, _ := filepath.Glob("locales/*." + lang + ".json")
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			// A message is a string, or a noun's plural forms.
			var part map[string]any
			if err := json.Unmarshal(raw, &part); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for k, v := range part {
				m[k] = fmt.Sprint(v)
				if forms, ok := v.(map[string]any); ok && len(forms) != len(pluralForms[lang]) {
					t.Errorf("%s (%s) has the forms %v, want %v", k, lang, forms, pluralForms[lang])
				}
				for _, form := range pluralForms[lang] {
					if forms, ok := v.(map[string]any); ok && forms[form] == nil {
						t.Errorf("%s (%s) has no %q form", k, lang, form)
					}
				}
			}
		}
	}
	for k := range pl {
		if en[k] == "" {
			t.Errorf("%s has no English message", k)
		}
	}
	for k := range en {
		if pl[k] == "" {
			t.Errorf("%s has no Polish message", k)
		}
	}
}
