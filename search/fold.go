package search

import "katalogpes/store/polish"

// foldAll folds each string of list.
func foldAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = polish.Fold(s)
	}
	return out
}
