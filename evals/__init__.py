"""The eval suite; built in the eval issue."""
