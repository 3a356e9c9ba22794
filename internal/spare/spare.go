package spare

// Stack holds spare records, at most max of them. Its zero value is empty.
// Loop-only, like the records' owners.
type Stack[T any] struct {
	items []*T
}

// Get takes a spare record; nil when there is none.
func (s *Stack[T]) Get() *T {
	n := len(s.items)
	if n == 0 {
		return nil
	}
	x := s.items[n-1]
	s.items[n-1] = nil
	s.items = s.items[:n-1]
	return x
}

// Put keeps x for a later Get, unless max records are kept already.
func (s *Stack[T]) Put(x *T, max int) {
	if len(s.items) < max {
		s.items = append(s.items, x)
	}
}
