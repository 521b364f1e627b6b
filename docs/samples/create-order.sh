# Order one $25.00 card of a ranged product. The referenceId is yours: sending the same
# request again (a retry after a timeout) returns the same order instead of buying twice.
curl -sS "$STELLER_URL/api/v1/orders" \
  -H "x-api-key: $STELLER_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{
    "sku": "BAM-990001",
    "faceValue": "25.00",
    "quantity": 1,
    "referenceId": "order-1001"
  }'
