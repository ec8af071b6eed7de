// Replaces ESO's pkg/provider/register/register.go at build time (go build -overlay): the Kubernetes
// provider only, instead of every cloud provider.
package register

import _ "github.com/external-secrets/external-secrets/pkg/provider/kubernetes"
