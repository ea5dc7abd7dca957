package view

import (
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// NewCollator compares strings as a Polish dictionary orders them (ą right
// after a, ł after l, ź and ż after z), ignoring case. A collator keeps
// buffers, so make one per sort rather than sharing it.
func NewCollator() *collate.Collator {
	return collate.New(language.Polish, collate.IgnoreCase)
}

// SortByLabel sorts items stably by their labels in Polish order.
func SortByLabel[T any](items []T, label func(T) string) {
	c := NewCollator()
	slices.SortStableFunc(items, func(a, b T) int { return c.CompareString(label(a), label(b)) })
}
