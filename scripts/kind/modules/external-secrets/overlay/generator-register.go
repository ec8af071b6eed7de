// Replaces ESO's pkg/generator/register/register.go at build time (go build -overlay): no generators.
package register
