package sweep

// Member is what a set holds: a pointer that keeps its own index in the set
// (-1 when it is in none).
type Member interface {
	comparable
	SweepSlot() *int
}

// Set is an unordered set of members. Its zero value is empty and ready.
// Loop-only, like the timers that walk it.
type Set[T Member] struct {
	items []T
}

// Add puts x in the set; adding a member again does nothing.
func (s *Set[T]) Add(x T) {
	i := x.SweepSlot()
	if *i >= 0 {
		return
	}
	*i = len(s.items)
	s.items = append(s.items, x)
}

// Remove takes x out of the set, moving the last member into its place;
// removing a non-member does nothing.
func (s *Set[T]) Remove(x T) {
	i := x.SweepSlot()
	if *i < 0 {
		return
	}
	last := len(s.items) - 1
	moved := s.items[last]
	s.items[*i] = moved
	*moved.SweepSlot() = *i
	var zero T
	s.items[last] = zero
	s.items = s.items[:last]
	*i = -1
}

// Items are the members, in no particular order; valid until the next Add or
// Remove.
func (s *Set[T]) Items() []T { return s.items }

// Len is the number of members.
func (s *Set[T]) Len() int { return len(s.items) }
