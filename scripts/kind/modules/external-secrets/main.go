// A slim External Secrets Operator for the offline kind cluster: ESO's own SecretStore and ExternalSecret
// reconcilers with only the Kubernetes provider, watching only the namespaces named by --namespaces (so its
// RBAC is namespaced Roles, no ClusterRole). ESO's controllers import pkg/provider/register and
// pkg/generator/register, which pull in every cloud provider; scripts/kind/node/binaries.sh builds with
// -overlay so those two files become overlay/*.go here. Flags we do not need (webhook, cert controller,
// cluster-scoped kinds, PushSecret) are left out.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/server"

	esv1 "github.com/external-secrets/external-secrets/apis/externalsecrets/v1"
	genv1alpha1 "github.com/external-secrets/external-secrets/apis/generators/v1alpha1"
	ctrlcommon "github.com/external-secrets/external-secrets/pkg/controllers/common"
	"github.com/external-secrets/external-secrets/pkg/controllers/externalsecret"
	"github.com/external-secrets/external-secrets/pkg/controllers/externalsecret/esmetrics"
	ctrlmetrics "github.com/external-secrets/external-secrets/pkg/controllers/metrics"
	"github.com/external-secrets/external-secrets/pkg/controllers/secretstore"
	"github.com/external-secrets/external-secrets/pkg/controllers/secretstore/ssmetrics"

	_ "github.com/external-secrets/external-secrets/pkg/provider/kubernetes"
)

func main() {
	namespaces := flag.String("namespaces", "", "comma-separated namespaces whose SecretStores and ExternalSecrets are reconciled (required)")
	metricsAddr := flag.String("metrics-addr", ":8080", "address of the metrics endpoint")
	healthAddr := flag.String("health-addr", ":8081", "address of /healthz and /readyz")
	storeRequeue := flag.Duration("store-requeue-interval", 5*time.Minute, "how often SecretStores are validated again")
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	if flag.NArg() > 0 {
		// e.g. a YAML flow list split "--namespaces=a,b" into "--namespaces=a" and "b".
		fmt.Fprintf(os.Stderr, "external-secrets: unexpected arguments %q; every setting is a flag (--namespaces=a,b in one argument)\n", flag.Args())
		os.Exit(2)
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	if err := run(*namespaces, *metricsAddr, *healthAddr, *storeRequeue); err != nil {
		fmt.Fprintln(os.Stderr, "external-secrets:", err)
		os.Exit(1)
	}
}

func run(namespaces, metricsAddr, healthAddr string, storeRequeue time.Duration) error {
	watched := map[string]cache.Config{}
	for _, ns := range strings.Split(namespaces, ",") {
		if ns = strings.TrimSpace(ns); ns != "" {
			watched[ns] = cache.Config{}
		}
	}
	if len(watched) == 0 {
		return fmt.Errorf("--namespaces is empty; name the namespaces to watch, e.g. --namespaces=app-staging,app-production")
	}
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(esv1.AddToScheme(scheme))
	utilruntime.Must(genv1alpha1.AddToScheme(scheme))

	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                 scheme,
		Metrics:                server.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress: healthAddr,
		Cache:                  cache.Options{DefaultNamespaces: watched},
		// Secrets and ConfigMaps are read live (ESO's default): no informer over every Secret of a namespace.
		Client: client.Options{Cache: &client.CacheOptions{DisableFor: []client.Object{&corev1.Secret{}, &corev1.ConfigMap{}}}},
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	ctrlmetrics.SetUpLabelNames(false)
	esmetrics.SetUpMetrics()
	ssmetrics.SetUpMetrics()
	options := controller.Options{MaxConcurrentReconciles: 1, RateLimiter: ctrlcommon.BuildRateLimiter()}
	if err := (&secretstore.StoreReconciler{
		Client: mgr.GetClient(), Scheme: mgr.GetScheme(), ControllerClass: "default", RequeueInterval: storeRequeue,
		Log: ctrl.Log.WithName("controllers").WithName("SecretStore"),
	}).SetupWithManager(mgr, options); err != nil {
		return fmt.Errorf("SecretStore controller: %w", err)
	}
	if err := (&externalsecret.Reconciler{
		Client: mgr.GetClient(), SecretClient: mgr.GetClient(), Scheme: mgr.GetScheme(), RestConfig: mgr.GetConfig(),
		ControllerClass: "default", RequeueInterval: time.Hour, EnableFloodGate: true,
		Log: ctrl.Log.WithName("controllers").WithName("ExternalSecret"),
	}).SetupWithManager(mgr, options); err != nil {
		return fmt.Errorf("ExternalSecret controller: %w", err)
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("ping", healthz.Ping); err != nil {
		return err
	}
	return mgr.Start(ctrl.SetupSignalHandler())
}
