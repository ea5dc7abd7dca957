package search

import (
	"strconv"
	"strings"
	"time"

	"katalogpes/store"
)

// atRiskMin reads at_risk_min, a whole percentage from 30 (the legal
// minimum a buyer may ask for) to 100; absent is 0, no filter.
func (p *queryParser) atRiskMin() int {
	s := strings.TrimSpace(strings.TrimSuffix(p.v.Get("at_risk_min"), "%"))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < store.MinAtRiskShare || n > 100 {
		p.errs = append(p.errs, store.FieldError{Field: "at_risk_min", Key: "at_risk_min.range",
			Params: map[string]any{"Min": store.MinAtRiskShare, "Max": 100}})
		return 0
	}
	return n
}

// dayNumber is t's date as the number YYYYMMDD, which orders as dates do:
// how the index holds the day employment figures lapse.
func dayNumber(t time.Time) int { return t.Year()*10000 + int(t.Month())*100 + t.Day() }
