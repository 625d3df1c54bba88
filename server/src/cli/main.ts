// Entry point of the `kube-images` command line.
export {};
