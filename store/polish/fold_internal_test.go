package polish

import "testing"

// The table and the punctuation shortcut give what the slow path gives.
func TestFoldRuneFastPathsAgreeWithTheSlowPath(t *testing.T) {
	for r := rune(0); r < 0x2100; r++ {
		if got, want := FoldRune(r), foldSlow(r); got != want {
			t.Errorf("FoldRune(%q) = %q, want %q", r, got, want)
		}
	}
}
