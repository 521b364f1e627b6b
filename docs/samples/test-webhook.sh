# Send a signed webhook.test event to the endpoint, to check your receiver.
curl -sS -X POST "$STELLER_URL/api/v1/webhook-endpoints/$ENDPOINT_ID/test" \
  -H "x-api-key: $STELLER_API_KEY"
