# The products you can order, at your price: filter by brand, country or currency.
curl -sS "$STELLER_URL/api/v1/catalog?country=US&currency=USD&limit=5" \
  -H "x-api-key: $STELLER_API_KEY"
