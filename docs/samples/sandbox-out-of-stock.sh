# A magic value: a face value ending in .13 makes the sandbox vendor refuse the order as
# out of stock. The order is accepted (202), then fails and your wallet is refunded.
curl -sS "$STELLER_URL/api/v1/orders" \
  -H "x-api-key: $STELLER_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{ "sku": "BAM-990001", "faceValue": "10.13", "quantity": 1, "referenceId": "out-of-stock-1" }'
