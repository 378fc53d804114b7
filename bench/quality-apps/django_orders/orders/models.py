from django.db import models


class Order(models.Model):
    status = models.CharField(max_length=20)
    total = models.DecimalField(max_digits=10, decimal_places=2)

    def refund(self, amount):
        self.status = "refunded"
        self.save()
