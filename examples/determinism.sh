# The script whose trace hash must be identical natively and in the browser (see e2e/).
sim seed 7
sim after 30s echo "first event"
sim after 90s echo 'second event' | cat
sim at 2022-06-12T00:05:00Z sim after 1m echo chained
sim advance 2m
sim step
cat <<EOF
a here-document
EOF
sim advance 1h30m
aws sts get-caller-identity
