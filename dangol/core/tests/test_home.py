def test_a_merchant_who_signs_in_lands_on_their_store(signed_in, merchant, store):
    response = signed_in(merchant).get("/", follow=True)
    assert response.redirect_chain[-1][0] == f"/m/{store.public_id}/"
    assert store.name in response.content.decode()


def test_a_customer_who_signs_in_lands_on_the_inbox(signed_in, customer):
    response = signed_in(customer).get("/")
    assert response["Location"] == "/inbox/"


def test_a_visitor_sees_the_markets(client, market):
    assert market.name in client.get("/").content.decode()
