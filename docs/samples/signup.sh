# Create a sandbox account: a test key (shown once) and test funds, in one call.
curl -sS "$STELLER_URL/api/v1/public/signup" \
  -H "Content-Type: application/json" \
  -d '{
    "companyName": "Acme Rewards",
    "contactName": "Ada Lovelace",
    "email": "ada@acme.example",
    "password": "correct-horse-battery-staple",
    "country": "GB"
  }'
