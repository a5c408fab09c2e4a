FROM scratch
FORM busybox /bin/busybox
