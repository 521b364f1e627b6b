# Rotate the key you are calling with: the answer has the new secret (shown once); the old key
# keeps working for overlapSeconds so you can deploy the new one without downtime.
curl -sS "$STELLER_URL/api/v1/keys/$KEY_ID/rotate" \
  -H "x-api-key: $STELLER_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{ "overlapSeconds": 3600 }'
