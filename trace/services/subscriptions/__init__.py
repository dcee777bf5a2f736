"""Named queries and their subscriptions: webhooks delivered by ``deliverer``, WebSockets pushed by
``stream`` (EPCIS 2.0 REST binding, ``/queries``; docs/SUBSCRIPTIONS.md)."""
