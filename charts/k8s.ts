// The Kubernetes 1.27 L1 classes (KubeDeployment, …) that cdk8s-plus-27 generates and re-exports as `k8s`.
// Imported from their own module rather than the package index: the charts use no L2 construct, and the
// index loads all 30-odd L2 modules (and their dependencies) first, about 40 ms of every synth.
export * as k8s from 'cdk8s-plus-27/lib/imports/k8s.js';
