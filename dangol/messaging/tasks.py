from django_tasks import task

from .models import Message


@task()
def deliver_message(message_id):
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return 0
    return message.deliver()
