// Package linkcheck keeps each function's binary to what the function
// uses: its test lists the packages every function in functions/ links
// (as the Lambda build does: linux/arm64, tag lambda.norpc) and fails when
// one links a package its row in the table forbids, naming the chain of
// imports that brings it in. A function without a row fails too, so a new
// function gets one.
package linkcheck
