# Your wallet balances, one per currency.
curl -sS "$STELLER_URL/api/v1/wallet" \
  -H "x-api-key: $STELLER_API_KEY"
