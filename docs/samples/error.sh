# A request the API refuses: the answer is always { error: { type, code, message, param?, requestId } }.
# Here the face value is outside the product's range (1.00–1000.00): 422 invalid_face_value.
curl -sS "$STELLER_URL/api/v1/orders" \
  -H "x-api-key: $STELLER_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{ "sku": "BAM-990001", "faceValue": "2000.00", "quantity": 1, "referenceId": "order-1002" }'
