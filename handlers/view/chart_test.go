package view

import (
	"encoding/xml"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	barWidthRe  = regexp.MustCompile(`<rect class="chart-bar" x="0" y="\d+" width="([0-9.]+)%"`)
	colHeightRe = regexp.MustCompile(`<rect class="chart-bar" x="[0-9.]+%" y="(\d+)" width="[0-9.]+%" height="(\d+)"`)
)

func TestStatsChartBarsAreAsLongAsTheirValues(t *testing.T) {
	c := Chart{ID: "c", Title: "t", Desc: "d", Items: []ChartItem{
		{Label: "a", Value: 40, Text: "40"}, {Label: "b", Value: 10, Text: "10"},
		{Label: "c", Value: 30, Text: "30"}, {Label: "d", Value: 0, Text: "0"},
	}}
	svg := string(c.Bars())
	m := barWidthRe.FindAllStringSubmatch(svg, -1)
	if len(m) != 4 {
		t.Fatalf("%d bars in %s", len(m), svg)
	}
	widths := make([]float64, len(m))
	for i, x := range m {
		widths[i], _ = strconv.ParseFloat(x[1], 64)
	}
	if widths[0] != barSpan || widths[3] != 0 {
		t.Fatalf("widths %v: the largest should span %v%%, zero nothing", widths, barSpan)
	}
	for i, it := range c.Items {
		want := barSpan * float64(it.Value) / 40
		if d := widths[i] - want; d > 0.01 || d < -0.01 {
			t.Errorf("bar %s is %v%% wide, want %v%%", it.Label, widths[i], want)
		}
	}
	wellFormed(t, svg)
}

func TestStatsChartColumnsAreAsTallAsTheirValues(t *testing.T) {
	var items []ChartItem
	for i := range 24 {
		items = append(items, ChartItem{Label: "m" + strconv.Itoa(i), Short: "s" + strconv.Itoa(i), Value: i * 2, Text: strconv.Itoa(i * 2)})
	}
	svg := string(Chart{ID: "m", Title: "t", Desc: "d", Items: items}.Columns())
	m := colHeightRe.FindAllStringSubmatch(svg, -1)
	if len(m) != 24 {
		t.Fatalf("%d columns", len(m))
	}
	for i, x := range m {
		y, _ := strconv.Atoi(x[1])
		h, _ := strconv.Atoi(x[2])
		want := int(float64(colHeight)*float64(i*2)/46 + 0.5)
		if h != want || y+h != colTop+colHeight {
			t.Errorf("column %d: y %d height %d, want height %d on the baseline", i, y, h, want)
		}
	}
	// The latest month is labelled; at most colTicks labels.
	if !strings.Contains(svg, ">s23</text>") || strings.Count(svg, `class="chart-tick`) > colTicks {
		t.Errorf("ticks: %s", svg)
	}
	wellFormed(t, svg)
	// Nothing to show still draws a valid, empty chart.
	wellFormed(t, string(Chart{ID: "e", Title: "t", Desc: "d"}.Columns()))
	wellFormed(t, string(Chart{ID: "z", Title: "t", Desc: "d", Items: []ChartItem{{Label: "x", Text: "0"}}}.Columns()))
}

func TestStatsChartTextIsEscaped(t *testing.T) {
	evil := `<script>alert("x")</script> & 'co'`
	c := Chart{ID: `id"><x`, Title: evil, Desc: evil, Items: []ChartItem{{Label: evil, Short: evil, Value: 1, Text: evil}}}
	for name, svg := range map[string]string{"bars": string(c.Bars()), "columns": string(c.Columns())} {
		if strings.Contains(svg, "<script") || strings.Contains(svg, `"><x`) || strings.Contains(svg, "& ") {
			t.Errorf("%s: unescaped text in %s", name, svg)
		}
		if !strings.Contains(svg, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;co&#39;") {
			t.Errorf("%s: the text is not there, escaped: %s", name, svg)
		}
		wellFormed(t, svg)
	}
}

func TestStatsChartIsAnImageNamedByItsTitleAndDesc(t *testing.T) {
	svg := string(Chart{ID: "k", Title: "Formy prawne", Desc: "Najwięcej: fundacja", Items: []ChartItem{{Label: "fundacja", Value: 3, Text: "3"}}}.Bars())
	for _, want := range []string{`role="img"`, `aria-labelledby="k-title k-desc"`, `<title id="k-title">Formy prawne</title>`, `<desc id="k-desc">Najwięcej: fundacja</desc>`} {
		if !strings.Contains(svg, want) {
			t.Errorf("lacks %s: %s", want, svg)
		}
	}
	if strings.Contains(svg, "style") || strings.Contains(svg, "<script") {
		t.Errorf("inline style or script: %s", svg)
	}
}

// wellFormed parses the SVG as XML (HTML's escapes are XML's, but for
// the numeric ones, which XML has too).
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed: %v: %s", err, svg)
		}
	}
}
