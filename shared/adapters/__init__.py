"""Technology adapters: Azure Table/Queue/Blob storage, JWT verification, email senders."""
