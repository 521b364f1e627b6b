# Send an event again (same webhook-id, so your receiver can deduplicate it).
curl -sS -X POST "$STELLER_URL/api/v1/webhook-deliveries/$DELIVERY_ID/replay" \
  -H "x-api-key: $STELLER_API_KEY"
