package registry

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"
)

// ParseBIRResult returns the text of the …Result element of a BIR answer.
// BIR answers in MTOM: a multipart/related body whose root part is the
// SOAP envelope; a plain envelope is read as well.
func ParseBIRResult(body []byte, contentType string) (string, error) {
	env := body
	if mt, params, err := mime.ParseMediaType(contentType); err == nil && strings.HasPrefix(mt, "multipart/") {
		part, err := rootPart(body, params["boundary"])
		if err != nil {
			return "", fmt.Errorf("regon: %w: %v", ErrMalformed, err)
		}
		env = part
	}
	d := xml.NewDecoder(bytes.NewReader(env))
	inBody := false
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errNoResult
			}
			return "", fmt.Errorf("regon: %w: %v", ErrMalformed, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case se.Name.Local == "Body":
			inBody = true
		case se.Name.Local == "Fault" && inBody:
			var f struct {
				Reason string `xml:"Reason>Text"`
			}
			_ = d.DecodeElement(&f, &se)
			return "", fmt.Errorf("regon: %w: SOAP fault %q", ErrUnavailable, f.Reason)
		case inBody && strings.HasSuffix(se.Name.Local, "Result"):
			var s string
			if err := d.DecodeElement(&s, &se); err != nil {
				return "", fmt.Errorf("regon: %w: %v", ErrMalformed, err)
			}
			return strings.TrimSpace(s), nil
		}
	}
}

// rootPart is the first part of a multipart body (MTOM's root is first).
func rootPart(body []byte, boundary string) ([]byte, error) {
	if boundary == "" {
		return nil, errors.New("multipart without boundary")
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	p, err := r.NextRawPart()
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(p, maxAnswer))
}

// ParseBIRRows reads the XML BIR returns inside a Result string:
// <root><dane><field>value</field>…</dane>…</root>, one map per dane.
func ParseBIRRows(s string) ([]map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var root struct {
		XMLName xml.Name
		Dane    []struct {
			Fields []struct {
				XMLName xml.Name
				Value   string `xml:",chardata"`
			} `xml:",any"`
		} `xml:"dane"`
	}
	if err := xml.Unmarshal([]byte(s), &root); err != nil {
		return nil, fmt.Errorf("regon: %w: %v", ErrMalformed, err)
	}
	if root.XMLName.Local != "root" {
		return nil, fmt.Errorf("regon: %w: root element %q", ErrMalformed, root.XMLName.Local)
	}
	rows := make([]map[string]string, 0, len(root.Dane))
	for _, d := range root.Dane {
		row := make(map[string]string, len(d.Fields))
		for _, f := range d.Fields {
			row[f.XMLName.Local] = strings.TrimSpace(f.Value)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// xmlText escapes s for an XML text node.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
