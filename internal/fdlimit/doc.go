// Package fdlimit raises a process's soft limit on open files to its hard
// limit. Every connection is a descriptor, so the hard limit is what bounds
// the connections one process can hold; Go's own start leaves the soft
// limit one below it.
package fdlimit
