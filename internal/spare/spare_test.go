package spare

import "testing"

func TestAStackHandsBackWhatItKeptUpToItsBound(t *testing.T) {
	var s Stack[int]
	if s.Get() != nil {
		t.Fatal("an empty stack gave a record")
	}
	a, b, c := new(int), new(int), new(int)
	s.Put(a, 2)
	s.Put(b, 2)
	s.Put(c, 2) // past the bound: left to the GC
	if got := s.Get(); got != b {
		t.Fatalf("first Get = %p, want the last kept %p", got, b)
	}
	if got := s.Get(); got != a {
		t.Fatalf("second Get = %p, want %p", got, a)
	}
	if s.Get() != nil {
		t.Fatal("a record past the bound was kept")
	}
}
