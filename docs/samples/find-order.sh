# Find an order by your own reference (e.g. after a crash, before retrying).
curl -sS "$STELLER_URL/api/v1/orders?referenceId=order-1001" \
  -H "x-api-key: $STELLER_API_KEY"
