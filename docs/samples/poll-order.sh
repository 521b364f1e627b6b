# Poll until the order leaves "pending"/"processing" (prefer webhooks in production).
while :; do
  order=$(curl -sS "$STELLER_URL/api/v1/orders/$ORDER_ID" -H "x-api-key: $STELLER_API_KEY")
  case "$order" in
    *'"status":"pending"'* | *'"status":"processing"'*) sleep 1 ;;
    *) echo "$order"; break ;;
  esac
done
