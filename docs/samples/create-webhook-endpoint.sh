# Register an HTTPS endpoint for order events. The answer carries the signing secret
# (whsec_…) once: store it with your other secrets.
curl -sS "$STELLER_URL/api/v1/webhook-endpoints" \
  -H "x-api-key: $STELLER_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{
    "url": "'"$WEBHOOK_URL"'",
    "events": ["order.completed", "order.failed"]
  }'
