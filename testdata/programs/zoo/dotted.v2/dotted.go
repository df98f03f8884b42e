// Package dotted has a dot in the last element of its import path
// (gleak.test/programs/zoo/dotted.v2): stack traces print it escaped, as
// gleak.test/programs/zoo/dotted%2ev2.Block.
package dotted

// Block calls started, then blocks for good receiving from never.
func Block(started func(), never <-chan struct{}) {
	started()
	<-never
}
