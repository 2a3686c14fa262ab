from tests.integration.web.web_support import expo_night, account
from liveport.accounts.domain import Role
import json

def test_smoke(client, app_context, login_as):
    shows = expo_night(app_context.db)
    sid = shows["live"].summary.id
    h = login_as("buyer")
    token = h["Authorization"].split()[1]
    with client.websocket_connect(f"/ws/shows/{sid}?token={token}") as ws:
        snap = ws.receive_json()
        print(snap)
        ws.send_text(json.dumps({"type": "chat", "text": "你好 <b>hi</b>", "ref": 1}))
        for _ in range(2):
            print(ws.receive_json())
    r = client.get(f"/api/v1/shows/{sid}/room")
    print(r.status_code, r.json())
