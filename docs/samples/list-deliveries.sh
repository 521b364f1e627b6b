# Every delivery attempt is logged: list the latest deliveries of your endpoints.
curl -sS "$STELLER_URL/api/v1/webhook-deliveries?limit=10" \
  -H "x-api-key: $STELLER_API_KEY"
