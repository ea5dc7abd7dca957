package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"

	"katalogpes/store"
)

// decodeListingData reads a listing body strictly: unknown fields and wrong
// types are field errors (422), not silently dropped.
func decodeListingData(raw []byte) (store.ListingData, error) {
	var d store.ListingData
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, decodeError(err)
	}
	if dec.More() {
		return d, &store.Error{Code: store.EMalformed, Key: "body.malformed", Err: errors.New("trailing data after the JSON object")}
	}
	return d, nil
}

// decodeError turns a JSON decoding error into field errors where it can.
func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return store.Invalid([]store.FieldError{{Field: field, Key: "type.invalid", Params: map[string]any{"Type": typeErr.Type.String()}}})
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		field := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return store.Invalid([]store.FieldError{{Field: field, Key: "field.unknown"}})
	}
	return &store.Error{Code: store.EMalformed, Key: "body.malformed", Err: err}
}

// applyMergePatch merges a JSON merge patch (RFC 7396) into data.
func applyMergePatch(data store.ListingData, patch []byte) (store.ListingData, error) {
	if len(bytes.TrimSpace(patch)) == 0 || bytes.TrimSpace(patch)[0] != '{' {
		return data, &store.Error{Code: store.EMalformed, Key: "body.malformed", Err: errors.New("patch is not a JSON object")}
	}
	// Decode the patch strictly first so unknown fields and wrong types are
	// named (null, which deletes in a merge patch, decodes fine).
	if _, err := decodeListingData(patch); err != nil {
		return data, err
	}
	base, err := json.Marshal(data)
	if err != nil {
		return data, fmt.Errorf("encode listing: %w", err)
	}
	merged, err := jsonpatch.MergePatch(base, patch)
	if err != nil {
		return data, &store.Error{Code: store.EMalformed, Key: "body.malformed", Err: err}
	}
	return decodeListingData(merged)
}
