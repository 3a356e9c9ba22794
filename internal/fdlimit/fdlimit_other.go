//go:build !unix

package fdlimit

// Raise has no limit to raise here and does not know one: 0.
func Raise() uint64 { return 0 }
