# Fetch one order: its status, and its cards once it is completed.
curl -sS "$STELLER_URL/api/v1/orders/$ORDER_ID" \
  -H "x-api-key: $STELLER_API_KEY"
